import { expect } from 'chai';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { createLocalFileStorage } from '../../integrations/storage/local-file-storage.js';

describe('local file storage', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'patron-storage-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores bytes with their content type and reads them back', async () => {
    const storage = createLocalFileStorage(dir);
    const bytes = Buffer.from([0, 1, 2, 255]);
    await storage.put('avatars/org-1/abc', bytes, 'image/png');
    expect(await storage.get('avatars/org-1/abc')).to.deep.equal({ bytes, contentType: 'image/png' });
  });

  it('replaces a file stored under the same key, leaving no temporary files behind', async () => {
    const storage = createLocalFileStorage(dir);
    await storage.put('k', Buffer.from('one'), 'text/plain');
    await storage.put('k', Buffer.from('two'), 'application/pdf');
    expect(await storage.get('k')).to.deep.equal({ bytes: Buffer.from('two'), contentType: 'application/pdf' });
    expect((await readdir(dir)).sort()).to.deep.equal(['k', 'k.type']);
  });

  it('answers undefined for a key that holds nothing', async () => {
    expect(await createLocalFileStorage(dir).get('nothing/here')).to.equal(undefined);
  });

  it('deletes a file and its content type; deleting again is not an error', async () => {
    const storage = createLocalFileStorage(dir);
    await storage.put('documents/x', Buffer.from('pdf'), 'application/pdf');
    await storage.delete('documents/x');
    await storage.delete('documents/x');
    expect(await storage.get('documents/x')).to.equal(undefined);
    expect(await readdir(path.join(dir, 'documents'))).to.deep.equal([]);
  });

  it('refuses keys that could leave the directory or name a file the service did not generate', async () => {
    const storage = createLocalFileStorage(path.join(dir, 'root'));
    await writeFile(path.join(dir, 'secret'), 'do not touch');
    const bad = ['../secret', '/etc/passwd', 'a/../../secret', 'a/./b', '.hidden', 'x.png', 'a//b', '', 'a\\b', 'é'];
    for (const key of bad) {
      for (const attempt of [
        () => storage.get(key),
        () => storage.put(key, Buffer.from('x'), 'text/plain'),
        () => storage.delete(key),
      ]) {
        let error: unknown;
        try {
          await attempt();
        } catch (err) {
          error = err;
        }
        expect(error, key).to.be.instanceOf(Error);
      }
    }
    expect(await readdir(dir)).to.deep.equal(['secret']);
  });

  it('resolves a relative directory once, so a later change of working directory does not move files', async () => {
    const cwd = process.cwd();
    process.chdir(dir);
    const storage = createLocalFileStorage('relative');
    process.chdir(cwd);
    await storage.put('k', Buffer.from('x'), 'text/plain');
    expect(await readdir(path.join(dir, 'relative'))).to.include('k');
  });

  it('stores a stream piece by piece, counts its bytes and reads it back as a stream', async () => {
    const storage = createLocalFileStorage(dir);
    const bytes = await storage.putStream(
      'imports/x',
      Readable.from(['first_name,last_name\n', 'Ada,Lovelace\n']),
      'text/csv',
    );
    expect(bytes).to.equal(34);
    const stream = await storage.getStream('imports/x');
    expect(await text(stream!)).to.equal('first_name,last_name\nAda,Lovelace\n');
    expect(await storage.getStream('imports/missing')).to.equal(undefined);
  });

  it('leaves nothing behind when the source stream fails half way', async () => {
    const storage = createLocalFileStorage(dir);
    async function* failing() {
      yield 'part of a file';
      throw new Error('connection reset');
    }
    let failed = false;
    await storage.putStream('imports/y', Readable.from(failing()), 'text/csv').catch(() => (failed = true));
    expect(failed).to.equal(true);
    expect(await storage.getStream('imports/y')).to.equal(undefined);
    expect(await readdir(path.join(dir, 'imports'))).to.deep.equal([]);
  });
});
