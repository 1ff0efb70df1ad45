import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.ts';
import { createStaffUser } from '../../src/services/staff-accounts.ts';

/**
 * A staff member's browser, as plain HTTP: same-site form posts, GETs without following redirects,
 * and the session cookie kept after sign-in. For tests of /staff pages by role.
 */
export const STAFF_PASSWORD = 'staff password 2026';

export interface StaffClient {
  cookie: string;
  get(path: string): Promise<Response>;
  post(path: string, form: Record<string, string | string[]>, extra?: Record<string, string>): Promise<Response>;
  /** A multipart post (a file upload). */
  upload(path: string, form: FormData): Promise<Response>;
}

export function formBody(form: Record<string, string | string[]>): URLSearchParams {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  }
  return body;
}

export function anonymousClient(baseUrl: string): StaffClient {
  const client: StaffClient = {
    cookie: '',
    get: (path) => fetch(`${baseUrl}${path}`, { redirect: 'manual', headers: { cookie: client.cookie } }),
    post: (path, form, extra = {}) =>
      fetch(`${baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          origin: baseUrl,
          'sec-fetch-site': 'same-origin',
          cookie: client.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          ...extra,
        },
        body: formBody(form),
      }),
    upload: (path, form) =>
      fetch(`${baseUrl}${path}`, {
        method: 'POST',
        redirect: 'manual',
        headers: { origin: baseUrl, 'sec-fetch-site': 'same-origin', cookie: client.cookie },
        body: form,
      }),
  };
  return client;
}

/** Signs in with e-mail and password; throws unless the sign-in succeeded. */
export async function signedInClient(baseUrl: string, email: string, password = STAFF_PASSWORD): Promise<StaffClient> {
  const client = anonymousClient(baseUrl);
  const response = await client.post('/staff/sign-in', { email, password });
  const header = response.headers.getSetCookie().find((c) => c.startsWith('__Host-zx-staff='));
  if (response.status !== 303 || !header) throw new Error(`sign-in as ${email} failed: ${response.status}`);
  client.cookie = header.split(';')[0] as string;
  return client;
}

/** Creates a staff account with a role (and lender) for a test. */
export async function staffAccount(
  db: Kysely<Database>,
  email: string,
  role: 'agent' | 'lender_admin' | 'operator',
  lenderSlug?: string,
): Promise<string> {
  await createStaffUser(db, email, STAFF_PASSWORD, new Date(), lenderSlug, role);
  return email;
}
