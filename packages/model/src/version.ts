/** softcot's version, written into run settings, checkpoints and reports (every package shares it; a test checks). */
export const SOFTCOT_VERSION = '0.1.0';
