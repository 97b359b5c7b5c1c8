/**
 * How much an import may read. An export is a file from anywhere (a link, a message), so every
 * size it declares is treated as a claim: these caps hold on the bytes actually read and
 * inflated, whatever the archive's headers say.
 */
export interface ImportLimits {
  /** The whole file, refused before anything is read. */
  maxFileBytes: number;
  /** Entries in the archive's directory. */
  maxEntries: number;
  /** The directory itself (names, comments), read in one piece. */
  maxDirectoryBytes: number;
  /** One image, once inflated. */
  maxEntryBytes: number;
  /** manifest.json, once inflated: it is parsed in one piece. */
  maxManifestBytes: number;
  /** Everything inflated in one import. */
  maxTotalBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

export const IMPORT_LIMITS: Readonly<ImportLimits> = Object.freeze({
  maxFileBytes: 2 * GiB,
  maxEntries: 20_000,
  maxDirectoryBytes: 16 * MiB,
  // Stored results and references are far smaller; this leaves room for large provider outputs.
  maxEntryBytes: 60 * MiB,
  maxManifestBytes: 32 * MiB,
  // Images are stored uncompressed, so a genuine export inflates to about its own size.
  maxTotalBytes: 2 * GiB + 32 * MiB,
});
