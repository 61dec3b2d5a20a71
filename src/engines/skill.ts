/** The skill a rule uses unless it names one (sent as X-Skill-Source); here so rules load it alone. */
export const DEFAULT_SKILL = 'video-converter-best';
