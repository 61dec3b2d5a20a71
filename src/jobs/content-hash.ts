/** The content identity of a file (see core/content-hash): intake and the CLI reach it here. */
export { hashFile } from '../core/content-hash.js';
