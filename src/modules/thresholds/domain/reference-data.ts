import type { Category, RiskLevels } from './threshold';

export interface CategoryInfo {
  name: Category;
  description: string;
}

/** The eight categories with what each covers. */
export const CATEGORY_INFO: readonly CategoryInfo[] = [
  { name: 'financial', description: 'Credit, liquidity, market and solvency risk.' },
  { name: 'operational', description: 'Failures of processes, people, systems or suppliers.' },
  { name: 'regulatory', description: 'Exposure to regulators, licences and changing rules.' },
  { name: 'reputational', description: 'Damage to trust among customers, partners and the public.' },
  { name: 'cybersecurity', description: 'Breaches, intrusions and attacks on information systems.' },
  { name: 'compliance', description: 'Breaches of laws, contracts and internal policies.' },
  { name: 'strategic', description: 'Business model, competition and long-term decisions.' },
  { name: 'other', description: 'Risks that fit no other category.' },
];

export interface RiskFactor {
  name: string;
  category: Category;
  weight: number;
  description: string;
  bands: RiskLevels;
}

/** The static risk-factor catalogue (CONTRACT §3.1). Weights sum to 1. */
export const RISK_FACTORS: readonly RiskFactor[] = [
  {
    name: 'financial_stability',
    category: 'financial',
    weight: 0.3,
    description: 'Capital, liquidity and earnings stability.',
    bands: { low: 25, medium: 50, high: 75, critical: 90 },
  },
  {
    name: 'operational_efficiency',
    category: 'operational',
    weight: 0.25,
    description: 'Reliability and resilience of operations.',
    bands: { low: 20, medium: 45, high: 70, critical: 85 },
  },
  {
    name: 'regulatory_compliance',
    category: 'regulatory',
    weight: 0.25,
    description: 'Standing with regulators and adherence to rules.',
    bands: { low: 30, medium: 55, high: 80, critical: 95 },
  },
  {
    name: 'cybersecurity_posture',
    category: 'cybersecurity',
    weight: 0.2,
    description: 'Strength of security controls and incident history.',
    bands: { low: 15, medium: 40, high: 75, critical: 90 },
  },
];
