import { createSocket } from "node:dgram";
import type { AddressInfo } from "node:net";
import { arrivals } from "./arrivals.ts";
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
  const arriving = arrivals(documents, "segment documents");
  const daemon: LocalDaemon = {
    address: "",
    documents,
    rejected: 0,
    until: arriving.until,
    close: () => new Promise((resolve) => socket.close(() => resolve())),
  };
  socket.on("message", (datagram) => {
    try {
      documents.push(parseDatagram(datagram));
    } catch {
      daemon.rejected += 1;
    }
    arriving.arrived();
  });
  await new Promise<void>((resolve) => socket.bind(port, "127.0.0.1", resolve));
  daemon.address = `127.0.0.1:${(socket.address() as AddressInfo).port}`;
  return daemon;
}
