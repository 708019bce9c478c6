//! File reads: what going through the blocking pool costs against
//! `std::fs::read` on the same thread.
//!
//! One 256 MiB file, written once and then in the page cache, is read
//! whole three ways:
//!
//! - `std_fs_read`: `std::fs::read` on the benchmark's thread, the floor.
//! - `spindle_fs_read`: `spindle::fs::read`, the same call on a pool
//!   thread plus one hop there and back.
//! - `spindle_file_read_to_end`: `spindle::fs::File::open` and
//!   `File::read_to_end` into a `Vec` sized to the file (as `std::fs::read`
//!   sizes its own): the vector is lent to one job that reads straight
//!   into it.
//! - `spindle_file_read_1mib_buffer`: `File` read through `poll_read`
//!   into a 1 MiB buffer until end of file, the streaming path: one hop per
//!   1 MiB chunk with the next chunk read ahead, and one copy from the
//!   `File`'s buffer into the caller's.
//!
//! Criterion reports each as a throughput (MiB/s); the goal is that the
//! spindle rows stay at or above 0.8× the `std` row. Because the file is in
//! the page cache, this measures the runtime's overhead, not a disk.
//!
//! ```text
//! cargo bench -p spindle-benches --bench fs_read
//! ```
//!
//! One run on the development machine (2 shared cores, load average about
//! 2, medians; runs under heavy load from other builds were 30–40% lower
//! and far noisier): `std_fs_read` 2.16 GiB/s, `spindle_fs_read` 2.05 GiB/s
//! (0.95×), `spindle_file_read_to_end` 2.07 GiB/s (0.96×),
//! `spindle_file_read_1mib_buffer` 3.83 GiB/s (faster than `std`, because
//! it reuses one 1 MiB buffer where the others fill a fresh 256 MiB
//! vector, page faults included).

use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, Throughput};
use futures::AsyncReadExt;

/// The file's size: large enough that the hops and copies dominate any
/// fixed cost of opening the file.
const SIZE: usize = 256 * 1024 * 1024;

/// Writes the file once; removed by the returned guard.
struct TestFile(PathBuf);

impl TestFile {
    fn new() -> TestFile {
        let path = std::env::temp_dir().join(format!("spindle-fs-read-{}", std::process::id()));
        let data: Vec<u8> = (0..SIZE).map(|i| (i % 251) as u8).collect();
        std::fs::write(&path, data).expect("write the test file");
        TestFile(path)
    }
}

impl Drop for TestFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The three ways to read the file, one group, throughput in bytes.
fn fs_read(c: &mut Criterion) {
    let file = TestFile::new();
    let path = file.0.clone();
    let rt = spindle::Runtime::new().expect("runtime");
    let mut group = c.benchmark_group("read_256_mib_file");
    group.throughput(Throughput::Bytes(SIZE as u64));
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(10));

    group.bench_function("std_fs_read", |b| {
        b.iter(|| {
            let bytes = std::fs::read(&path).expect("read");
            assert_eq!(bytes.len(), SIZE);
        })
    });
    group.bench_function("spindle_fs_read", |b| {
        b.iter(|| {
            let bytes = rt.block_on(spindle::fs::read(&path)).expect("read");
            assert_eq!(bytes.len(), SIZE);
        })
    });
    group.bench_function("spindle_file_read_to_end", |b| {
        b.iter(|| {
            let bytes = rt.block_on(async {
                let mut file = spindle::fs::File::open(&path).await?;
                let mut bytes = Vec::with_capacity(SIZE);
                file.read_to_end(&mut bytes).await?;
                Ok::<_, std::io::Error>(bytes)
            });
            assert_eq!(bytes.expect("read").len(), SIZE);
        })
    });
    group.bench_function("spindle_file_read_1mib_buffer", |b| {
        b.iter(|| {
            let total = rt.block_on(async {
                let mut file = spindle::fs::File::open(&path).await?;
                let mut buf = vec![0; 1024 * 1024];
                let mut total = 0;
                loop {
                    match file.read(&mut buf).await? {
                        0 => return Ok::<_, std::io::Error>(total),
                        n => total += n,
                    }
                }
            });
            assert_eq!(total.expect("read"), SIZE);
        })
    });
    group.finish();
}

/// Runs this file's benchmark (what `criterion_main!` would generate,
/// written out so it can be documented).
fn main() {
    let mut criterion = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .configure_from_args();
    fs_read(&mut criterion);
    criterion.final_summary();
}
