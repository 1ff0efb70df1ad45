/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    requestId: string;
    locale: import('./i18n/locale.ts').Locale;
    /** Set on pages that show personal data: the response gets `Cache-Control: no-store`. */
    noStore?: boolean;
    /** An allowed cross-origin caller of a CORS-enabled API path (exact match). */
    corsOrigin?: string;
  }
}
