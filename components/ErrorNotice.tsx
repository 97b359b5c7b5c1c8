import type { SerializedError } from '@/utils/errors';
import { nextStep } from '@/utils/next-step';

/** What happened, and what to do next. Never a stack trace. */
export function ErrorNotice({ error, action, step: stepOverride }: { error: SerializedError; action?: React.ReactNode; step?: string }) {
  const step = stepOverride ?? nextStep(error.kind);
  return (
    <div role="alert" className="error">
      <p>{error.message}</p>
      {step ? <p className="next-step">{step}</p> : null}
      {action}
    </div>
  );
}
