// Every call the page makes to the admin API: the token as a bearer header, refusals turned into typed errors
// (the API's own message kept), and a node that does not answer told apart from one that refuses.

/** The API answered with a refusal: `{ error, message }` and its status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Nothing answered: the node is down, restarting or unreachable from this browser. */
export class NodeUnreachableError extends Error {
  constructor() {
    super('The node does not answer. Check that it is running and reachable; this page keeps trying.');
  }
}

export type Query = Record<string, string | number | undefined>;

/** The admin API of the node that served this page (same origin, under ./v1). */
export class AdminClient {
  constructor(
    readonly token: string,
    /** Called when the API says the token is not (or no longer) valid. */
    private readonly onUnauthorized: (error: ApiError) => void = () => undefined,
  ) {}

  /** The URL of an API path, relative to the page (served at /syncbus/admin/). */
  url(path: string, query: Query = {}): string {
    const url = new URL(`v1${path}`, document.baseURI);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined && value !== '') url.searchParams.set(key, String(value));
    }
    return url.toString();
  }

  get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return this.request<T>('GET', this.url(path, query), undefined, signal);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.request<T>('POST', this.url(path), body);
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('PATCH', this.url(path), body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', this.url(path));
  }

  /** Headers every call carries. */
  headers(json: boolean): Record<string, string> {
    return {
      authorization: `Bearer ${this.token}`,
      accept: 'application/json',
      ...(json ? { 'content-type': 'application/json' } : {}),
    };
  }

  private async request<T>(method: string, url: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: this.headers(body !== undefined),
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
        cache: 'no-store',
      });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new NodeUnreachableError();
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (!response.ok) {
      const refusal = (parsed ?? {}) as { error?: string; message?: string };
      const error = new ApiError(
        response.status,
        refusal.error ?? `HTTP_${response.status}`,
        refusal.message ?? `The node answered ${response.status} ${response.statusText}.`,
      );
      if (response.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
