// The X-Ray daemon's side of tracing: where it listens, and the UDP datagrams it reads. Each
// document travels as one datagram, a header line and then the JSON document, as AWS documents the
// daemon's protocol ("Sending segment documents to the X-Ray daemon").
import { createSocket, type Socket } from "node:dgram";

const HEADER = '{"format":"json","version":1}\n';
const DEFAULT_ADDRESS = "127.0.0.1:2000";

/** Where the daemon takes documents over UDP. */
export interface DaemonAddress {
  host: string;
  port: number;
}

/**
 * The UDP address `AWS_XRAY_DAEMON_ADDRESS` names: `host:port` (UDP and TCP alike), or
 * `tcp:host:port udp:host:port` as Lambda may write it; `127.0.0.1:2000` when unset. Undefined when
 * malformed: tracing is then off rather than the run failed.
 */
export function daemonAddress(raw: string | undefined): DaemonAddress | undefined {
  const value = raw?.trim() || DEFAULT_ADDRESS;
  const parts = value.split(/\s+/);
  const udp = parts.length === 1 && !/^(tcp|udp):/i.test(value) ? value : parts.find((part) => /^udp:/i.test(part))?.slice(4);
  if (!udp) return undefined;
  const colon = udp.lastIndexOf(":");
  const host = udp.slice(0, colon).replace(/^\[(.*)\]$/, "$1");
  const port = Number(udp.slice(colon + 1));
  if (colon <= 0 || !host || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host, port };
}

/**
 * A socket that sends documents to the daemon. It is opened by the first document and holds the
 * process open only while a datagram is on its way; `close` waits for those, then closes it. In
 * Lambda that is done before the handler returns (`flush`), so no socket outlives the invocation
 * that opened it into a frozen and thawed execution environment. A datagram that cannot be sent is
 * dropped: tracing never fails a run.
 */
export class DaemonSocket {
  readonly address: DaemonAddress;
  #socket: Socket | undefined;
  #sending = 0;
  #drained: Array<() => void> = [];

  constructor(address: DaemonAddress) {
    this.address = address;
  }

  send(document: string): void {
    const socket = this.#socket ?? this.#open();
    if (this.#sending++ === 0) socket.ref();
    socket.send(HEADER + document, this.address.port, this.address.host, () => this.#sent(socket));
  }

  /** Waits for the datagrams on their way, then closes the socket (a later document opens another). */
  async close(): Promise<void> {
    if (this.#sending > 0) await new Promise<void>((resolve) => this.#drained.push(resolve));
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  #open(): Socket {
    const socket = createSocket(this.address.host.includes(":") ? "udp6" : "udp4");
    // Nothing listening, an address that cannot be reached: the documents are lost, the run is not.
    // (Not a connected socket: a send made while a connection is being set up that then fails is
    // never called back, and `close` would wait for it for ever.)
    socket.on("error", () => {});
    socket.unref();
    this.#socket = socket;
    return socket;
  }

  #sent(socket: Socket): void {
    if (--this.#sending > 0) return;
    if (this.#socket === socket) socket.unref();
    for (const resolve of this.#drained.splice(0)) resolve();
  }
}
