// CLI: `tsx sandbox/main.ts` (or `node --experimental-strip-types sandbox/main.ts` on Node >= 22.6).
// Port from SANDBOX_PORT (default 8787); stays up until SIGINT/SIGTERM.
import { startSandbox } from './server';

const port = Number(process.env.SANDBOX_PORT ?? 8787);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`Invalid SANDBOX_PORT: ${process.env.SANDBOX_PORT}`);
  process.exit(1);
}

try {
  const sandbox = await startSandbox({ port });
  console.log(`Sandbox listening on ${sandbox.url}`);
  console.log(`  fal base URL: ${sandbox.url}/fal`);

  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: closing sandbox`);
    sandbox.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
} catch (e) {
  const code = (e as { code?: string }).code;
  console.error(code === 'EADDRINUSE' ? `Port ${port} is already in use (set SANDBOX_PORT)` : e);
  process.exit(1);
}
