// Where the token lives: this tab's sessionStorage only (gone when the tab closes, never in a cookie or on disk).

const KEY = 'syncbus.admin.token';

export function storedToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function storeToken(token: string | null): void {
  try {
    if (token === null) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, token);
  } catch {
    // Storage disabled: the token lives only as long as the page.
  }
}
