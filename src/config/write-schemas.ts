/** `npm run schema`: regenerates docs/schema/*.json from the zod schemas (run from the repo root). */
import { writeSchemaFiles } from './json-schema.js';

for (const file of await writeSchemaFiles(process.cwd())) console.log(`wrote ${file}`);
