import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { parseDatagram, type SegmentDocument } from "./documents.ts";

/** A stand-in for the X-Ray daemon on loopback, keeping every document it receives. */
export interface LocalDaemon {
  /** `127.0.0.1:<port>`, the value for `AWS_XRAY_DAEMON_ADDRESS`. */
  address: string;
  documents: SegmentDocument[];
  /** Datagrams that were not X-Ray documents. */
  rejected: number;
  /** Resolves once `predicate` holds for the documents received (checked on each arrival). */
  until(predicate: (documents: readonly SegmentDocument[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Listens on a UDP port of 127.0.0.1 (ephemeral unless `port` is given) and reads datagrams as the
 * X-Ray daemon does.
 */
export async function startLocalDaemon(port = 0): Promise<LocalDaemon> {
  const socket = createSocket({ type: "udp4", recvBufferSize: 8 * 1024 * 1024 });
  const documents: SegmentDocument[] = [];
  const waiters = new Set<() => void>();
  const daemon: LocalDaemon = {
    address: "",
    documents,
    rejected: 0,
    until(predicate, timeoutMs = 10_000) {
      if (predicate(documents)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the expected segment documents did not arrive within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          if (!predicate(documents)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        waiters.add(check);
      });
    },
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on("message", (datagram) => {
    try {
      documents.push(parseDatagram(datagram));
    } catch {
      daemon.rejected += 1;
    }
    for (const check of [...waiters]) check();
  });
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
  daemon.address = `127.0.0.1:${(socket.address() as AddressInfo).port}`;
  return daemon;
}
