// Real debugger clients for the tests: the Chrome DevTools (inspector) protocol over WebSocket, which VS Code and
// Chrome speak to Node.js, and the Debug Adapter Protocol over TCP, which VS Code speaks to debugpy.
import * as net from 'net';
import WebSocket from 'ws';

interface Waiter<T> {
  readonly match: (message: T) => boolean;
  readonly resolve: (message: T) => void;
}

/** Keeps every message, and answers waits for one that matches, with a deadline. */
class Mailbox<T> {
  readonly #seen: T[] = [];
  #waiters: Waiter<T>[] = [];

  public put(message: T): void {
    this.#seen.push(message);
    const waiting = this.#waiters.filter(w => w.match(message));
    this.#waiters = this.#waiters.filter(w => !w.match(message));
    waiting.forEach(w => w.resolve(message));
  }

  public wait(what: string, match: (message: T) => boolean, timeoutMs: number): Promise<T> {
    const found = this.#seen.find(match);
    if (found) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: message => {
          clearTimeout(timer);
          resolve(message);
        },
      });
    });
  }

  public all(): readonly T[] {
    return this.#seen;
  }
}

interface CdpMessage {
  readonly id?: number;
  readonly method?: string;
  readonly params?: Record<string, unknown>;
  readonly result?: Record<string, unknown>;
  readonly error?: { readonly message: string };
}

/** A client of the Node.js inspector (the Chrome DevTools Protocol). */
export class InspectorClient {
  readonly #socket: WebSocket;
  readonly #mail = new Mailbox<CdpMessage>();
  #nextId = 1;

  private constructor(socket: WebSocket) {
    this.#socket = socket;
    socket.on('message', data => this.#mail.put(JSON.parse(String(data)) as CdpMessage));
  }

  /** Connects to the first target the inspector on 127.0.0.1:`port` lists. */
  public static async connect(port: number): Promise<InspectorClient> {
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      webSocketDebuggerUrl: string;
    }[];
    const socket = new WebSocket(targets[0].webSocketDebuggerUrl);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new InspectorClient(socket);
  }

  public async send(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    this.#socket.send(JSON.stringify({ id, method, params }));
    const answer = await this.#mail.wait(method, m => m.id === id, 30_000);
    if (answer.error) throw new Error(`${method}: ${answer.error.message}`);
    return answer.result ?? {};
  }

  public event(method: string, timeoutMs: number, match: (params: Record<string, unknown>) => boolean = () => true) {
    return this.#mail.wait(method, m => m.method === method && match(m.params ?? {}), timeoutMs);
  }

  public close(): void {
    this.#socket.close();
  }
}

interface DapMessage {
  readonly seq: number;
  readonly type: 'request' | 'response' | 'event';
  readonly command?: string;
  readonly event?: string;
  readonly request_seq?: number;
  readonly success?: boolean;
  readonly message?: string;
  readonly body?: Record<string, unknown>;
}

/** A client of a Debug Adapter Protocol server (debugpy): Content-Length framed JSON over TCP. */
export class DapClient {
  readonly #socket: net.Socket;
  readonly #mail = new Mailbox<DapMessage>();
  #seq = 1;
  #buffer = Buffer.alloc(0);

  private constructor(socket: net.Socket) {
    this.#socket = socket;
    socket.on('data', chunk => this.read(chunk));
  }

  public static async connect(port: number): Promise<DapClient> {
    const socket = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('error', reject);
    });
    return new DapClient(socket);
  }

  private read(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const end = this.#buffer.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/Content-Length: (\d+)/i.exec(this.#buffer.subarray(0, end).toString())?.[1]);
      if (this.#buffer.length < end + 4 + length) return;
      const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf-8');
      this.#buffer = this.#buffer.subarray(end + 4 + length);
      this.#mail.put(JSON.parse(body) as DapMessage);
    }
  }

  /** Sends a request; its response is waited for with {@link response}. */
  public send(command: string, args: Record<string, unknown> = {}): number {
    const seq = this.#seq++;
    const body = JSON.stringify({ seq, type: 'request', command, arguments: args });
    this.#socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return seq;
  }

  public async response(seq: number, timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const answer = await this.#mail.wait(
      `the answer to request ${seq}`,
      m => m.type === 'response' && m.request_seq === seq,
      timeoutMs,
    );
    if (!answer.success) throw new Error(`${answer.command}: ${answer.message ?? 'failed'}`);
    return answer.body ?? {};
  }

  public request(command: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.response(this.send(command, args));
  }

  public event(event: string, timeoutMs: number): Promise<DapMessage> {
    return this.#mail.wait(`the ${event} event`, m => m.type === 'event' && m.event === event, timeoutMs);
  }

  public close(): void {
    this.#socket.destroy();
  }
}
