import { execFileSync, spawn } from 'node:child_process';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import path from 'node:path';

/** A real Git smart-HTTP remote: `git http-backend` behind Basic auth. */
export async function startGitHttpServer(
  gitDir: string,
  credentials: { username: string; password: string },
) {
  execFileSync('git', ['init', '--bare', '--initial-branch=main', gitDir]);
  execFileSync('git', ['--git-dir', gitDir, 'config', 'http.receivepack', 'true']);
  const authorizations: string[] = [];
  /** The size of each answer to a fetch's pack request, in bytes: what was downloaded. */
  const uploadPackBytes: number[] = [];
  const expected = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    const authorization = req.headers.authorization;
    if (authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    authorizations.push(authorization);
    const url = new URL(req.url!, 'http://localhost');
    const cgi = spawn('git', ['http-backend'], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: path.dirname(gitDir),
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: `/${path.basename(gitDir)}${url.pathname.replace(/^\/repo/, '')}`,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method!,
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        REMOTE_USER: credentials.username,
      },
    });
    req.pipe(cgi.stdin);
    const uploadPack = req.method === 'POST' && url.pathname.endsWith('/git-upload-pack') ? uploadPackBytes.push(0) - 1 : -1;
    let head: Buffer | undefined = Buffer.alloc(0);
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (uploadPack >= 0) uploadPackBytes[uploadPack] += chunk.length;
      if (!head) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const headers = head.subarray(0, end).toString().split('\r\n');
      let status = 200;
      for (const line of headers) {
        const [name, ...rest] = line.split(':');
        const value = rest.join(':').trim();
        if (name.toLowerCase() === 'status') status = parseInt(value, 10);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
      head = undefined;
    });
    cgi.stdout.on('end', () => res.end());
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/repo`,
    gitDir,
    authorizations,
    uploadPackBytes,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
