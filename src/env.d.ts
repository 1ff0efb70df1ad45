/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    requestId: string;
    locale: import('./i18n/locale.ts').Locale;
    /** Set on pages that show personal data: the response gets `Cache-Control: no-store`. */
    noStore?: boolean;
    /** An allowed cross-origin caller of a CORS-enabled API path (exact match). */
    corsOrigin?: string;
    /** The signed-in support staff member, on /staff pages. */
    staff?: import('./services/staff-workbench.ts').StaffMember;
    /** The signed-in borrower (the person holding this number), on /account pages. */
    borrower?: { phone: string; signedInAt: Date };
  }
}
