import proto from '@temporalio/proto';

/**
 * Histories are stored as the protobuf message's JSON object form (enums and 64-bit numbers as
 * strings, payload bytes as base64): readable, diffable and a lossless round trip.
 */
const { History } = proto.temporal.api.history.v1;
type HistoryMessage = proto.temporal.api.history.v1.History;

export function historyToFile(history: proto.temporal.api.history.v1.IHistory): string {
  const object = History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String, defaults: false });
  return `${JSON.stringify(object, null, 1)}\n`;
}

export function historyFromFile(text: string): HistoryMessage {
  return History.fromObject(JSON.parse(text) as Record<string, unknown>);
}
