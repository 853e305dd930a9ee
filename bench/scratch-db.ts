/**
 * A scratch PostgreSQL database for the benchmarks that run the product on a server: created empty
 * (the product migrates it), dropped afterwards.
 */
import pg from "pg";

/** True when a PostgreSQL server answers at `url`. */
export async function reachable(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query("select 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Creates `hopthu_bench_<tag>_…` on the server of `adminUrl`; `drop()` removes it. */
export async function createDatabase(
  adminUrl: string,
  tag = "bench",
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `hopthu_${tag}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/** The URL with its password masked, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url;
  }
}
