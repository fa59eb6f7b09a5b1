import { readFileSync, statfsSync } from 'node:fs';
import { availableParallelism, cpus, release, tmpdir, totalmem, type as osType } from 'node:os';
import { sqliteVersion } from './databases.js';

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  memoryGiB: number;
  node: string;
  os: string;
  sqlite: string;
  /** File system of the temp directory the databases live in: fsync on tmpfs measures nothing. */
  tempFileSystem: string;
}

// statfs magic numbers (linux/magic.h) of the file systems a benchmark is likely to meet.
const FILE_SYSTEMS: Record<number, string> = {
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x01021994: 'tmpfs',
  0x794c7630: 'overlayfs',
  0x2fc12fc1: 'zfs',
};

function distribution(): string | null {
  try {
    const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return match?.[1] ?? null;
  } catch {
    return null;
  }
}

function fileSystemOf(path: string): string {
  try {
    const type = statfsSync(path).type;
    return `${FILE_SYSTEMS[type] ?? `type 0x${type.toString(16)}`} (${path})`;
  } catch {
    return `unknown (${path})`;
  }
}

export function describeMachine(): Machine {
  const list = cpus();
  const distro = distribution();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    os: `${osType()} ${release()}${distro ? ` (${distro})` : ''}`,
    sqlite: sqliteVersion(),
    tempFileSystem: fileSystemOf(tmpdir()),
  };
}
