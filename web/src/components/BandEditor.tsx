import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { BOUNDS, dragHandle, limitsOf, moveHandle, showNumber, type Bound, type TypedBands } from '../rules';
import { Segments, type Bands } from './BandBar';

/**
 * The bands as a bar with four handles (low, medium, high, critical) and four number inputs in
 * step with them. Handles are sliders: ←/→ ±1, Shift ±5, Home/End to the neighbour's limit; a
 * pointer drags them. They never cross or touch. `bands` is the last valid state (drawn), `typed`
 * what the inputs hold, `errors` the server's rules' messages for what is typed.
 */
export function BandEditor({
  bands,
  typed,
  errors,
  onBands,
  onTyped,
  idPrefix,
}: {
  bands: Bands;
  typed: TypedBands;
  errors: Partial<Record<Bound, string>>;
  onBands: (bands: Bands) => void;
  onTyped: (typed: TypedBands) => void;
  idPrefix: string;
}) {
  const bar = useRef<HTMLDivElement>(null);
  const pointAt = (event: PointerEvent): number => {
    const rect = bar.current!.getBoundingClientRect();
    return ((event.clientX - rect.left) / rect.width) * 100;
  };
  const onKey = (key: Bound) => (event: KeyboardEvent) => {
    const next = moveHandle(bands, key, event.key, event.shiftKey);
    if (!next) return;
    event.preventDefault();
    onBands(next);
  };
  return (
    <div className="band-editor">
      <div className="editor-bar" ref={bar}>
        <svg aria-hidden="true" viewBox="0 0 100 28" preserveAspectRatio="none" width="100%" height={28}>
          <Segments bands={bands} height={28} />
        </svg>
        {BOUNDS.map((key) => {
          const { min, max } = limitsOf(bands, key);
          return (
            <div
              key={key}
              role="slider"
              tabIndex={0}
              className="handle"
              style={{ left: `${bands[key]}%` }}
              aria-label={`${key} cut-off`}
              aria-valuemin={Math.min(min, bands[key])}
              aria-valuemax={Math.max(max, bands[key])}
              aria-valuenow={bands[key]}
              aria-valuetext={`${key} from ${showNumber(bands[key])}`}
              onKeyDown={onKey(key)}
              onPointerDown={(event) => {
                event.currentTarget.setPointerCapture(event.pointerId);
                event.currentTarget.focus();
              }}
              onPointerMove={(event) => {
                if (event.currentTarget.hasPointerCapture(event.pointerId))
                  onBands(dragHandle(bands, key, pointAt(event)));
              }}
            >
              <span>{showNumber(bands[key])}</span>
            </div>
          );
        })}
      </div>
      <fieldset className="band-inputs">
        <legend>Where each level starts (0–100)</legend>
        {BOUNDS.map((key) => {
          const id = `${idPrefix}-${key}`;
          return (
            <div key={key}>
              <label htmlFor={id}>{key[0].toUpperCase() + key.slice(1)} from</label>
              <input
                id={id}
                inputMode="decimal"
                value={typed[key]}
                aria-invalid={errors[key] ? true : undefined}
                aria-describedby={errors[key] ? `${id}-error` : undefined}
                onChange={(e) => onTyped({ ...typed, [key]: e.target.value })}
              />
              {errors[key] ? (
                <p id={`${id}-error`} className="field-problem">
                  {key} {errors[key]}
                </p>
              ) : null}
            </div>
          );
        })}
      </fieldset>
    </div>
  );
}
