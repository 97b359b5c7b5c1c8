/** The outcome of the last action in a form row ("Saved.", a refusal), announced politely. */
export interface Status {
  ok: boolean;
  message: string;
}

export function StatusLine({ status }: { status: Status | null }) {
  if (!status) return null;
  return (
    <p role="status" className={status.ok ? 'ok' : 'error'}>
      {status.message}
    </p>
  );
}
