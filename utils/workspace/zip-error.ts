/**
 * Why an archive, or one entry of it, was refused. Reading the directory fails the whole file;
 * reading an entry fails that entry (left out and reported), except `total_too_large`, which
 * ends the import.
 */
type ZipErrorReason =
  | 'not_zip'
  | 'unsupported'
  | 'too_many_entries'
  | 'directory_too_large'
  | 'total_too_large'
  | 'entry_too_large'
  | 'corrupt';

export class ZipError extends Error {
  constructor(
    readonly reason: ZipErrorReason,
    options?: { cause?: unknown },
  ) {
    super(`Archive refused: ${reason}`, options);
    this.name = 'ZipError';
  }
}
