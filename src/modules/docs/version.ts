import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The service version from package.json (this file sits three levels below the root in src/ and dist/). */
export const SERVICE_VERSION: string = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version: string }
).version;
