//! The file system: whole-file operations, `File` reads, writes and seeks
//! across its buffer boundaries, `read_dir` as a stream, and errors that
//! name the path.

mod support;

use std::io::{ErrorKind, IoSlice, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::Duration;

use futures::StreamExt;
use spindle::fs::{self, File, OpenOptions};
use spindle::io::{AsyncReadExt, AsyncSeekExt, AsyncWriteExt};
use support::within;

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("spindle-fs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Bytes that differ at every offset, so a misplaced chunk is caught.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

#[test]
fn write_then_read_round_trips_and_metadata_sees_the_size() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("roundtrip");
        let path = dir.join("data");
        spindle::block_on(async move {
            fs::write(&path, b"spindle").await.unwrap();
            assert_eq!(fs::read(&path).await.unwrap(), b"spindle");
            assert_eq!(fs::read_to_string(&path).await.unwrap(), "spindle");
            assert_eq!(fs::metadata(&path).await.unwrap().len(), 7);
        });
    });
}

#[test]
fn a_large_file_reads_back_byte_exact_through_file() {
    within(Duration::from_secs(60), || {
        let dir = TempDir::new("large");
        let path = dir.join("large");
        // 3.5 MiB: several full chunks and a partial one.
        let data = pattern(3 * 1024 * 1024 + 512 * 1024 + 7);
        std::fs::write(&path, &data).unwrap();
        spindle::block_on(async move {
            let mut file = File::open(&path).await.unwrap();
            let mut back = Vec::new();
            file.read_to_end(&mut back).await.unwrap();
            assert!(back == data, "read_to_end differs from what was written");

            // Small reads, served from the read-ahead.
            let mut file = File::open(&path).await.unwrap();
            let mut small = [0u8; 1000];
            file.read_exact(&mut small).await.unwrap();
            assert_eq!(&small[..], &data[..1000]);
            file.read_exact(&mut small).await.unwrap();
            assert_eq!(&small[..], &data[1000..2000]);
            // The rest: what was read ahead, then one job for the remainder.
            let mut rest = b"kept".to_vec();
            let n = file.read_to_end(&mut rest).await.unwrap();
            assert_eq!(n, data.len() - 2000);
            assert!(rest[..4] == *b"kept" && rest[4..] == data[2000..]);

            // futures' read_to_end goes through `poll_read`, chunk by chunk.
            let mut file = File::open(&path).await.unwrap();
            let mut back = Vec::new();
            AsyncReadExt::read_to_end(&mut file, &mut back)
                .await
                .unwrap();
            assert!(
                back == data,
                "poll_read chunks differ from what was written"
            );
        });
    });
}

#[test]
fn file_writes_in_many_small_pieces_reach_the_file_after_close() {
    within(Duration::from_secs(60), || {
        let dir = TempDir::new("writes");
        let path = dir.join("out");
        let data = pattern(2 * 1024 * 1024 + 333);
        let expected = data.clone();
        let written = path.clone();
        spindle::block_on(async move {
            let mut file = File::create(&written).await.unwrap();
            for piece in data.chunks(4096) {
                file.write_all(piece).await.unwrap();
            }
            file.close().await.unwrap();
        });
        assert!(std::fs::read(&path).unwrap() == expected);
    });
}

#[test]
fn write_vectored_writes_every_buffer() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("vectored");
        let path = dir.join("out");
        let written = path.clone();
        spindle::block_on(async move {
            let mut file = File::create(&written).await.unwrap();
            let slices = [
                IoSlice::new(b"hello"),
                IoSlice::new(b""),
                IoSlice::new(b", "),
                IoSlice::new(b"world"),
            ];
            assert_eq!(file.write_vectored(&slices).await.unwrap(), 12);
            file.close().await.unwrap();
        });
        assert_eq!(std::fs::read(&path).unwrap(), b"hello, world");
    });
}

#[test]
fn write_vectored_takes_what_fits_in_the_buffer_and_the_rest_later() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("vectored-large");
        let path = dir.join("out");
        let written = path.clone();
        // Three slices of 512 KiB against a 1 MiB buffer: the first call
        // takes two, the second the third.
        let data = pattern(3 * 512 * 1024);
        let expected = data.clone();
        spindle::block_on(async move {
            let mut file = File::create(&written).await.unwrap();
            let slices: Vec<IoSlice<'_>> = data.chunks(512 * 1024).map(IoSlice::new).collect();
            assert_eq!(file.write_vectored(&slices).await.unwrap(), 1024 * 1024);
            assert_eq!(file.write_vectored(&slices[2..]).await.unwrap(), 512 * 1024);
            file.close().await.unwrap();
        });
        assert!(std::fs::read(&path).unwrap() == expected);
    });
}

#[test]
fn a_dropped_file_still_writes_its_buffer() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("dropped");
        let path = dir.join("out");
        let written = path.clone();
        let rt = spindle::Runtime::new().unwrap();
        rt.block_on(async move {
            let mut file = File::create(&written).await.unwrap();
            file.write_all(b"buffered, never flushed").await.unwrap();
        });
        // The write runs on the pool; wait for the runtime's jobs.
        rt.shutdown_timeout(Duration::from_secs(20));
        assert_eq!(std::fs::read(&path).unwrap(), b"buffered, never flushed");
    });
}

#[test]
fn seek_accounts_for_read_ahead_and_pending_writes() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("seek");
        let path = dir.join("seek");
        let data = pattern(300_000);
        std::fs::write(&path, &data).unwrap();
        let opened = path.clone();
        spindle::block_on(async move {
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&opened)
                .await
                .unwrap();
            let mut buf = [0u8; 10];
            file.read_exact(&mut buf).await.unwrap();
            // The read fetched a whole chunk ahead; the position is still 10.
            assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 10);
            assert_eq!(file.seek(SeekFrom::Current(5)).await.unwrap(), 15);
            file.read_exact(&mut buf).await.unwrap();
            assert_eq!(&buf, &data[15..25]);
            // A write right after a read lands where the reader is.
            file.write_all(b"XYZ").await.unwrap();
            assert_eq!(file.seek(SeekFrom::Start(25)).await.unwrap(), 25);
            let mut three = [0u8; 3];
            file.read_exact(&mut three).await.unwrap();
            assert_eq!(&three, b"XYZ");
            assert_eq!(file.seek(SeekFrom::End(0)).await.unwrap(), 300_000);
        });
    });
}

#[test]
fn seek_and_write_account_for_a_read_ahead_chunk_in_flight() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("seek-ahead");
        let path = dir.join("seek-ahead");
        let data = pattern(3 * 1024 * 1024);
        std::fs::write(&path, &data).unwrap();
        let opened = path.clone();
        let expected = data.clone();
        spindle::block_on(async move {
            let data = expected;
            let mut file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&opened)
                .await
                .unwrap();
            // A full 200 000-byte chunk: the next one is read ahead at once.
            let mut big = vec![0u8; 200_000];
            file.read_exact(&mut big).await.unwrap();
            assert!(big[..] == data[..200_000]);
            assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 200_000);
            let mut ten = [0u8; 10];
            file.read_exact(&mut ten).await.unwrap();
            assert_eq!(&ten, &data[200_000..200_010]);
            file.read_exact(&mut big).await.unwrap();
            assert!(big[..] == data[200_010..400_010]);
            // A write with a chunk possibly in flight lands at 400 010.
            file.write_all(b"XYZ").await.unwrap();
            assert_eq!(file.seek(SeekFrom::Current(0)).await.unwrap(), 400_013);
            file.seek(SeekFrom::Start(400_010)).await.unwrap();
            let mut four = [0u8; 4];
            file.read_exact(&mut four).await.unwrap();
            assert_eq!(&four[..3], b"XYZ");
            assert_eq!(four[3], data[400_013]);
        });
        let back = std::fs::read(&path).unwrap();
        assert_eq!(back.len(), data.len());
        assert_eq!(&back[400_010..400_013], b"XYZ");
        assert!(back[..400_010] == data[..400_010] && back[400_013..] == data[400_013..]);
    });
}

#[test]
fn read_dir_streams_every_entry() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("readdir");
        // More than one batch of 32.
        for i in 0..75 {
            std::fs::write(dir.join(&format!("f{i}")), "").unwrap();
        }
        std::fs::create_dir(dir.join("sub")).unwrap();
        let root = dir.0.clone();
        let (mut names, dirs) = spindle::block_on(async move {
            let mut entries = fs::read_dir(&root).await.unwrap();
            let mut names = Vec::new();
            let mut dirs = 0;
            while let Some(entry) = entries.next().await {
                let entry = entry.unwrap();
                assert_eq!(entry.path(), root.join(entry.file_name()));
                if entry.file_type().await.unwrap().is_dir() {
                    dirs += 1;
                    assert!(entry.metadata().await.unwrap().is_dir());
                }
                names.push(entry.file_name().into_string().unwrap());
            }
            (names, dirs)
        });
        names.sort();
        let mut expected: Vec<String> = (0..75).map(|i| format!("f{i}")).collect();
        expected.push("sub".into());
        expected.sort();
        assert_eq!(names, expected);
        assert_eq!(dirs, 1);
    });
}

#[test]
fn create_dir_all_rename_copy_and_remove() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("ops");
        let root = dir.0.clone();
        spindle::block_on(async move {
            let nested = root.join("a/b/c");
            fs::create_dir_all(&nested).await.unwrap();
            fs::create_dir_all(&nested).await.unwrap(); // exists: fine
            let a = nested.join("a.txt");
            fs::write(&a, "copy me").await.unwrap();
            let b = root.join("b.txt");
            assert_eq!(fs::copy(&a, &b).await.unwrap(), 7);
            let c = root.join("c.txt");
            fs::rename(&b, &c).await.unwrap();
            assert_eq!(fs::read_to_string(&c).await.unwrap(), "copy me");
            fs::remove_file(&c).await.unwrap();
            assert_eq!(
                fs::metadata(&c).await.unwrap_err().kind(),
                ErrorKind::NotFound
            );
            fs::remove_file(&a).await.unwrap();
            fs::remove_dir(&nested).await.unwrap();
            fs::create_dir(root.join("new")).await.unwrap();
            assert!(root.join("new").is_dir());
        });
    });
}

/// Asserts `err` has `kind` and names `path`.
fn assert_names(err: std::io::Error, kind: Option<ErrorKind>, path: &Path) {
    if let Some(kind) = kind {
        assert_eq!(err.kind(), kind, "{err}");
    }
    let shown = path.display().to_string();
    assert!(
        err.to_string().contains(&shown),
        "`{err}` does not name {shown}"
    );
}

#[test]
fn errors_name_the_missing_file_and_keep_its_kind() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("missing");
        let missing = dir.join("no-such-file");
        spindle::block_on(async move {
            let nf = Some(ErrorKind::NotFound);
            assert_names(fs::read(&missing).await.unwrap_err(), nf, &missing);
            assert_names(
                fs::read_to_string(&missing).await.unwrap_err(),
                nf,
                &missing,
            );
            assert_names(fs::metadata(&missing).await.unwrap_err(), nf, &missing);
            assert_names(fs::remove_file(&missing).await.unwrap_err(), nf, &missing);
            assert_names(File::open(&missing).await.unwrap_err(), nf, &missing);
            assert_names(fs::read_dir(&missing).await.unwrap_err(), nf, &missing);
            assert_names(
                fs::copy(&missing, &missing).await.unwrap_err(),
                nf,
                &missing,
            );
            assert_names(
                fs::rename(&missing, &missing).await.unwrap_err(),
                nf,
                &missing,
            );
            let in_missing_dir = missing.join("child");
            assert_names(
                fs::write(&in_missing_dir, "x").await.unwrap_err(),
                nf,
                &in_missing_dir,
            );
        });
    });
}

#[test]
fn a_directory_where_a_file_was_expected_is_an_error_naming_it() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("isdir");
        let root = dir.0.clone();
        let file = dir.join("plain");
        std::fs::write(&file, "x").unwrap();
        spindle::block_on(async move {
            assert_names(fs::read(&root).await.unwrap_err(), None, &root);
            assert_names(fs::write(&root, "x").await.unwrap_err(), None, &root);
            // Opening a directory read-only succeeds on Unix; the read fails.
            if let Ok(mut opened) = File::open(&root).await {
                let mut buf = Vec::new();
                assert_names(opened.read_to_end(&mut buf).await.unwrap_err(), None, &root);
            }
            assert_names(fs::read_dir(&file).await.unwrap_err(), None, &file);
        });
    });
}

#[test]
fn the_loop_keeps_running_while_files_are_read() {
    within(Duration::from_secs(60), || {
        let dir = TempDir::new("concurrent");
        let path = dir.join("big");
        std::fs::write(&path, pattern(4 * 1024 * 1024)).unwrap();
        spindle::block_on(async move {
            let reader = spindle::spawn(async move {
                let mut total = 0;
                for _ in 0..4 {
                    total += fs::read(&path).await.unwrap().len();
                }
                total
            });
            // Ticks of a timer interleave with the reads.
            let mut ticks = 0;
            while !reader.is_finished() && ticks < 10_000 {
                spindle::time::sleep(Duration::from_millis(1)).await;
                ticks += 1;
            }
            assert_eq!(reader.await.unwrap(), 16 * 1024 * 1024);
            assert!(ticks >= 1);
        });
    });
}

#[test]
fn next_entry_returns_every_entry_then_none() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("next-entry");
        for name in ["a", "b", "c"] {
            std::fs::write(dir.join(name), name).unwrap();
        }
        let path = dir.0.clone();
        let mut names = spindle::block_on(async move {
            let mut entries = fs::read_dir(&path).await.unwrap();
            let mut names = Vec::new();
            while let Some(entry) = entries.next_entry().await.unwrap() {
                names.push(entry.file_name().into_string().unwrap());
            }
            // The end is sticky.
            assert!(entries.next_entry().await.unwrap().is_none());
            names
        });
        names.sort();
        assert_eq!(names, ["a", "b", "c"]);
    });
}

#[test]
fn into_std_writes_out_the_buffer_and_gives_back_read_ahead() {
    use std::io::{Read, Write};
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("into-std");
        let path = dir.join("data");
        let data = pattern(300 * 1024);
        std::fs::write(&path, &data).unwrap();
        let opened = path.clone();
        let expected = data.clone();
        spindle::block_on(async move {
            // Reading 10 bytes reads a whole chunk ahead; the std file
            // must still continue at byte 10.
            let mut file = File::open(&opened).await.unwrap();
            let mut head = [0; 10];
            file.read_exact(&mut head).await.unwrap();
            let mut std = file.into_std().await;
            let mut rest = Vec::new();
            std.read_to_end(&mut rest).unwrap();
            assert_eq!(head[..], expected[..10]);
            assert!(
                rest[..] == expected[10..],
                "the std file did not continue at byte 10"
            );

            // Buffered writes reach the file before the std file is handed over.
            let mut file = OpenOptions::new().append(true).open(&opened).await.unwrap();
            file.write_all(b"buffered").await.unwrap();
            let mut std = file.into_std().await;
            std.write_all(b", then std").unwrap();
        });
        let mut expected = data;
        expected.extend_from_slice(b"buffered, then std");
        assert!(std::fs::read(&path).unwrap() == expected);
    });
}

#[test]
fn try_into_std_refuses_while_writes_are_buffered() {
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("try-into-std");
        let path = dir.join("data");
        let written = path.clone();
        spindle::block_on(async move {
            let mut file = File::create(&written).await.unwrap();
            file.write_all(b"pending").await.unwrap();
            let mut file = file.try_into_std().expect_err("bytes are still buffered");
            file.flush().await.unwrap();
            let std = file.try_into_std().expect("flushed: nothing pending");
            assert_eq!(std.metadata().unwrap().len(), 7);
        });
    });
}

#[test]
fn a_file_from_std_reads_from_its_offset_and_names_no_path() {
    use std::io::{Seek, SeekFrom as StdSeekFrom};
    within(Duration::from_secs(30), || {
        let dir = TempDir::new("from-std");
        let path = dir.join("data");
        std::fs::write(&path, b"skip:kept").unwrap();
        let mut std = std::fs::File::open(&path).unwrap();
        std.seek(StdSeekFrom::Start(5)).unwrap();
        spindle::block_on(async move {
            let mut file = File::from(std);
            let mut text = String::new();
            file.read_to_string(&mut text).await.unwrap();
            assert_eq!(text, "kept");
            // Opened for reading only: a write fails, at the flush.
            file.write_all(b"x").await.unwrap();
            let err = file.flush().await.unwrap_err();
            assert!(
                err.to_string().contains("made from a `std::fs::File`"),
                "{err}"
            );
        });
    });
}
