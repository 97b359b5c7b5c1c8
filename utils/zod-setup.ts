import * as z from 'zod/mini';

// Extension pages and the worker forbid eval (MV3 CSP). Zod would probe for it with
// `Function('')` to pick a faster parser; tell it not to, so no CSP violation is raised.
z.config({ jitless: true });
