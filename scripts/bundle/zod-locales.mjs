// zod's classic API re-exports every locale as z.locales; only English is used (the default error map).
export { default as en } from 'zod/v4/locales/en.js';
