/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    requestId: string;
    locale: import('./i18n/locale.ts').Locale;
    /** Set on pages that show personal data: the response gets `Cache-Control: no-store`. */
    noStore?: boolean;
    /**
     * Set by pages a lender may put in an iframe: the exact origins allowed to frame the page
     * (CSP frame-ancestors). Every other page, and this one when the list is empty, refuses framing.
     */
    frameAncestors?: readonly string[];
    /** The signed-in support staff member, on /staff pages. */
    staff?: import('./services/staff-workbench.ts').StaffMember;
    /** On /staff/lenders/<slug>/…: the lender whose console it is (the gate checked the role). */
    consoleLender?: import('./core/lender.ts').LenderProfile;
    /** The signed-in borrower (the person holding this number), on /account pages. */
    borrower?: { phone: string; signedInAt: Date };
  }
}
