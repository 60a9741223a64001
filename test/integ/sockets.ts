import * as fs from 'fs';

/** A listening TCP socket of a process, read from /proc. */
export interface ListeningSocket {
  readonly pid: number;
  readonly command: string;
  readonly address: string;
  readonly port: number;
}

/** The pid and every descendant of it, from the parent pids in /proc. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf-8');
      parents.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, parent] of parents) {
      if (parent === tree[i]) tree.push(pid);
    }
  }
  return tree;
}

/** The sockets in LISTEN state that the given processes hold, with their local address. */
export function listeningSockets(pids: readonly number[]): ListeningSocket[] {
  const listening = new Map<string, { address: string; port: number }>();
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    if (!fs.existsSync(file)) continue;
    for (const line of fs.readFileSync(file, 'utf-8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== '0A') continue; // 0A: LISTEN
      const [hex, port] = fields[1].split(':');
      listening.set(fields[9], { address: v6 ? ipv6(hex) : ipv4(hex), port: parseInt(port, 16) });
    }
  }
  const sockets: ListeningSocket[] = [];
  for (const pid of pids) {
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    const command = readOr(`/proc/${pid}/cmdline`).split('\0').join(' ').trim();
    for (const fd of fds) {
      const target = readLinkOr(`/proc/${pid}/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const socket = inode ? listening.get(inode) : undefined;
      if (socket) sockets.push({ pid, command, ...socket });
    }
  }
  return sockets;
}

/** True for 127.0.0.0/8, ::1 and IPv4-mapped loopback. */
export function isLoopback(address: string): boolean {
  return /^127\./.test(address) || address === '::1' || /^::ffff:127\./.test(address);
}

function ipv4(hex: string): string {
  // /proc/net/tcp holds the address as a little-endian 32-bit word
  return [3, 2, 1, 0].map(i => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.');
}

function ipv6(hex: string): string {
  const words: string[] = [];
  for (let i = 0; i < 4; i++) {
    const word = hex.slice(i * 8, i * 8 + 8);
    const bytes = [3, 2, 1, 0].map(j => word.slice(j * 2, j * 2 + 2)).join('');
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  const groups = words.map(w => parseInt(w, 16).toString(16));
  if (groups.slice(0, 5).every(g => g === '0') && groups[5] === 'ffff') {
    return `::ffff:${[6, 7].flatMap(i => [parseInt(words[i].slice(0, 2), 16), parseInt(words[i].slice(2), 16)]).join('.')}`;
  }
  const text = groups.join(':');
  return text === '0:0:0:0:0:0:0:1' ? '::1' : text === '0:0:0:0:0:0:0:0' ? '::' : text;
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, 'utf-8');
  } catch {
    return '';
  }
}

function readLinkOr(file: string): string {
  try {
    return fs.readlinkSync(file);
  } catch {
    return '';
  }
}
