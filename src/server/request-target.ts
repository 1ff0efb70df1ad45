/**
 * The request target in origin form (`/path?query`), or null for a 400. An absolute-form target
 * (`http://host/path`, which clients send to proxies) is taken by its path when its authority is
 * the host the Host header names — the server routes it by that path, not as the home page; one
 * for another host, with a user name, or any other form (`*`, `host:port`) is refused.
 */
export function originForm(target: string, host: string | undefined): string | null {
  if (target.startsWith('/')) return target;
  const absolute = /^https?:\/\/([^/?#]*)([^#]*)/i.exec(target);
  if (!absolute || host === undefined) return null;
  const [, authority = '', rest = ''] = absolute;
  if (authority === '' || authority.toLowerCase() !== host.toLowerCase()) return null;
  return rest.startsWith('/') ? rest : `/${rest}`;
}
