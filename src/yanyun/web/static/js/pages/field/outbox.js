// What a phone did while the network was away: kept in IndexedDB (it survives a
// reload and a closed browser) until the server has answered for it. Each entry
// is one keyed action; the server applies each key once, so sending an entry
// twice (the answer was lost) does no harm.

const DB_NAME = "yanyun-field";
const STORE = "actions";
const PHOTOS = "photos";

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function open() {
  const req = indexedDB.open(DB_NAME, 2);
  req.onupgradeneeded = () => {
    const db = req.result;
    for (const name of [STORE, PHOTOS]) {
      if (!db.objectStoreNames.contains(name)) {
        db.createObjectStore(name, { keyPath: "seq", autoIncrement: true });
      }
    }
  };
  return request(req);
}

async function withStore(mode, fn, name = STORE) {
  const db = await open();
  try {
    const tx = db.transaction(name, mode);
    const result = await fn(tx.objectStore(name));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  } finally {
    db.close();
  }
}

/** Keep an action of this user, in the order it was taken. */
export function enqueue(userId, action) {
  return withStore("readwrite", (store) => request(store.add({ userId, action })));
}

/** This user's kept actions, oldest first, as {seq, action}. */
export async function pending(userId) {
  const all = await withStore("readonly", (store) => request(store.getAll()));
  return all.filter((entry) => entry.userId === userId);
}

/** Forget the entries the server has answered for. */
export function remove(seqs) {
  return withStore("readwrite", (store) =>
    Promise.all(seqs.map((seq) => request(store.delete(seq)))));
}

/** A fresh action key: made once, when the user acts, and never again. */
export function newKey() {
  return crypto.randomUUID();
}

/** Keep a photo (the file itself) for an incident until the server has it. */
export function keepPhoto(userId, incidentId, blob) {
  return withStore("readwrite", (store) =>
    request(store.add({ userId, incidentId, key: newKey(), blob })), PHOTOS);
}

/** This user's kept photos, oldest first, as {seq, incidentId, key, blob}. */
export async function pendingPhotos(userId) {
  const all = await withStore("readonly", (store) => request(store.getAll()), PHOTOS);
  return all.filter((entry) => entry.userId === userId);
}

/** Keep a photo for a grid report not yet filed (the report's key ties them). */
export function keepReportPhoto(userId, reportKey, blob) {
  return withStore("readwrite", (store) =>
    request(store.add({ userId, incidentId: null, reportKey, key: newKey(), blob })), PHOTOS);
}

export function forgetPhoto(seq) {
  return withStore("readwrite", (store) => request(store.delete(seq)), PHOTOS);
}
