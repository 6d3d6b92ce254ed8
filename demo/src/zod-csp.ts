// Imported first by the page and by each worker: zod would otherwise probe `new Function` when the
// library's schemas are built, which the Content-Security-Policy (no 'unsafe-eval') reports as a
// violation. Validation is the same without its compiled fast path.
import { z } from 'zod';

z.config({ jitless: true });
