// A small HTTP client for the demo: every step goes through the public API on a loopback port, as a sponsor,
// reader or biostatistician's own software would. Errors carry the problem document.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${body.slice(0, 500)}`);
  }
}

export class DemoClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  as(token: string): DemoClient {
    return new DemoClient(this.baseUrl, token);
  }

  async raw(method: string, url: string, init: { body?: RequestInit['body']; headers?: Record<string, string> } = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${url}`, {
      method,
      headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...init.headers },
      body: init.body,
    });
  }

  async json<T = any>(method: string, url: string, body?: unknown, expect: number[] = [200, 201, 202, 204]): Promise<T> {
    const res = await this.raw(method, url, body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    if (!expect.includes(res.status)) throw new ApiError(res.status, text, `${method} ${url}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async bytes(url: string): Promise<{ bytes: Buffer; sha256: string | null }> {
    const res = await this.raw('GET', url);
    if (res.status !== 200) throw new ApiError(res.status, await res.text(), `GET ${url}`);
    return { bytes: Buffer.from(await res.arrayBuffer()), sha256: res.headers.get('x-content-sha256') };
  }

  async login(username: string, password: string): Promise<DemoClient> {
    const { token } = await this.json<{ token: string }>('POST', '/auth/login', { username, password });
    return this.as(token);
  }

  /** Polls a job until it finishes; returns it, or throws when it failed. */
  async waitForJob(jobId: string, timeoutMs = 10 * 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const job = await this.json('GET', `/jobs/${jobId}`);
      if (job.state === 'succeeded') return job;
      if (job.state === 'failed' || job.state === 'cancelled') throw new Error(`job ${jobId} ${job.state}: ${job.error}`);
      if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
