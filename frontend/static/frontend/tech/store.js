// The phone's own storage (IndexedDB): the day as last loaded ("kv" store) and the queue of
// actions waiting to be sent, in the order they were done ("queue", auto-increment keys),
// photos and signatures kept in it as Blobs until the server has them.
const DB_NAME = "malha-tech";
const DB_VERSION = 1;

let opening = null;

function open() {
  opening ||= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("kv");
      db.createObjectStore("queue", { keyPath: "seq", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opening;
}

async function run(storeName, mode, work) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const transaction = db.transaction(storeName, mode);
    const request = work(transaction.objectStore(storeName));
    transaction.oncomplete = () => resolve(request?.result);
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
}

export const kv = {
  get: (key) => run("kv", "readonly", (store) => store.get(key)),
  set: (key, value) => run("kv", "readwrite", (store) => store.put(value, key)),
  delete: (key) => run("kv", "readwrite", (store) => store.delete(key)),
};

export const queue = {
  all: () => run("queue", "readonly", (store) => store.getAll()),
  add: (item) => run("queue", "readwrite", (store) => store.add(item)),
  put: (item) => run("queue", "readwrite", (store) => store.put(item)),
  delete: (seq) => run("queue", "readwrite", (store) => store.delete(seq)),
};

// A UUID for an action or a file: the server keys its idempotency on it.
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
