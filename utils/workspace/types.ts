/**
 * What the panel sees of export and import. Kept apart from the modules that do the work, so
 * that the panel can name these types without pulling fflate into its bundle.
 */

/** (done, total): files written for an export, generations handled for an import. */
export type Progress = (done: number, total: number) => void;

export interface ImportSummary {
  /** Generations (jobs) added, each with all its images. */
  jobsAdded: number;
  /** Generations already here (same id), left as they are. */
  jobsSkipped: number;
  resultsAdded: number;
  referencesAdded: number;
  /** References whose picture was already stored: the stored one is used. */
  referencesReused: number;
  /** Presets added, and those already here (same name and content); absent when the file held none. */
  presetsAdded?: number;
  presetsSkipped?: number;
  /** What was left out and why, in the user's words. */
  problems: string[];
}
