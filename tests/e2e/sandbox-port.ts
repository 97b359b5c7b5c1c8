/** The port the sandbox build used by the e2e suite is compiled against (scripts/e2e.ts). */
export const SANDBOX_E2E_PORT = 8797;
