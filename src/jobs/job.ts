/** The job types live in the domain module; the journal files import them from here. */
export * from '../domain/job.js';
