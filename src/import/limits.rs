//! How much of a file an import reads, in one place. A real 目标任务分解表 is
//! a few hundred rows by a few dozen columns with a few dozen merges, a few
//! thousand strings and well under 1 MiB unpacked; every limit below is far
//! above that and far below what would hurt a server: a workbook at every
//! limit at once (`tests/import_limits.rs`) reads in ~11 s on a debug build
//! and takes the server to ~170 MB resident. Each is checked while the file
//! is read, as the
//! cell, merge, string or byte that crosses it arrives, never after the
//! sheet is in memory; over one the import fails with `SHEET_TOO_LARGE`
//! naming it (README "Spreadsheets"). Imports take turns, one per process,
//! their reading off the async workers ([`take_turn`], [`off_the_workers`]).
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

use crate::error::{AppError, AppResult, ErrorCode};
use domain::Message;

const MIB: u64 = 1 << 20;

/// Rows a sheet may use (the last cell with a value must be in row 10,000
/// or above): 20 times the largest 分解表 we have seen, and a sheet's goals
/// go into one transaction.
pub const MAX_ROWS: u32 = 10_000;

/// Columns a sheet may use: IV, the width of every Excel before 2007. A
/// 分解表 with one column per unit and per month stays under 60.
pub const MAX_COLUMNS: u32 = 256;

/// Cells holding a value (styled empty cells do not count: real workbooks
/// have thousands). 10,000 rows × 20 columns; each costs ~100 bytes read.
pub const MAX_CELLS: usize = 200_000;

/// Text in the cells, counting a shared string or a merged cell once per
/// cell that shows it: the reader copies it into every cell, the layout
/// reader into goals and messages, so a 100 KB string in 200 cells is 20 MB.
/// A real sheet holds well under 1 MiB.
pub const MAX_TEXT_BYTES: usize = 16 << 20;

/// Merged regions: a 分解表 merges its title, headers, sections and 类别
/// spans, a few per goal.
pub const MAX_MERGES: usize = 10_000;

/// Cells covered by merged regions (each is filled with its region's
/// value). Whole-row merges of a 256-column sheet on 2,000 rows.
pub const MAX_MERGED_CELLS: u64 = 500_000;

/// Shared strings a workbook may have, and may declare (calamine reserves
/// room for the declared `uniqueCount` before reading one): as many as the
/// cells one sheet may hold.
pub const MAX_SHARED_STRINGS: u64 = MAX_CELLS as u64;

/// Unpacked size of the shared strings part: the same as the text a sheet
/// may hold.
pub const MAX_SHARED_STRINGS_BYTES: u64 = MAX_TEXT_BYTES as u64;

/// Parts (zip entries) of a workbook: a workbook has a dozen, a few dozen
/// with pictures.
pub const MAX_PARTS: usize = 1_000;

/// Unpacked size of any one part. A sheet at every limit above is ~8 MiB
/// of XML, ~25 MiB with its 16 MiB of text written inline.
pub const MAX_PART_BYTES: u64 = 32 * MIB;

/// Unpacked size of all parts together.
pub const MAX_UNPACKED_BYTES: u64 = 64 * MIB;

/// Unpacked : packed ratio of one part, checked once it has unpacked more
/// than [`RATIO_FLOOR`]. Sheet XML deflates 5–30:1 (a sheet of blank styled
/// cells up to ~60:1); a zip bomb does 1000:1.
pub const MAX_RATIO: u64 = 100;

/// Below this, a part's ratio says nothing (a small part of repeated
/// styles deflates 200:1 harmlessly).
pub const RATIO_FLOOR: u64 = MIB;

/// The longest attribute of a workbook's structural parts (styles, the
/// workbook, its relationships). Excel keeps a number format to 255
/// characters, a sheet name to 31, a font name to 31; calamine copies a
/// number format into every cell format that uses it, so a 500 KB format
/// used by 3,000 cell formats of a 2 KB file made 1.5 GB.
pub const MAX_ATTRIBUTE_BYTES: usize = 1024;

/// Elements of one structural part (cell formats, fonts, sheets,
/// relationships): Excel allows 64,000 cell formats. With attributes of at
/// most 1 KiB, what calamine copies from them stays under 100 MB.
pub const MAX_STRUCTURE_ELEMENTS: u64 = 100_000;

/// Time to read a file (checked by the reading loops). A workbook at
/// every limit reads in ~11 s on a debug build, a real 分解表 in
/// milliseconds; 20 s answers the client well before an HTTP client or a
/// proxy gives up (commonly 30–60 s).
pub const READ_BUDGET: Duration = Duration::from_secs(20);

/// How long an import waits for the one running before it is refused with
/// `IMPORT_BUSY`. One import at a time per process bounds the memory
/// imports take to one file's worth.
pub const IMPORT_WAIT: Duration = Duration::from_secs(10);

/// How long an import may read, and wait for its turn: [`READ_BUDGET`]
/// and [`IMPORT_WAIT`] unless the operator says otherwise
/// (`--import-read-secs`, `--import-wait-secs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImportTiming {
    pub read: Duration,
    pub wait: Duration,
}

impl Default for ImportTiming {
    fn default() -> Self {
        ImportTiming {
            read: READ_BUDGET,
            wait: IMPORT_WAIT,
        }
    }
}

/// Problems listed in a `SHEET_INVALID` answer; the count of the rest is
/// given (`extensions.moreProblems`). A clerk fixes the first screenful and
/// imports again.
pub const MAX_PROBLEMS: usize = 200;

/// "16 MiB", for messages.
pub fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes / MIB)
}

/// The time a read may take: a deadline the reading loops check.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    deadline: Instant,
    allowed: Duration,
}

impl Budget {
    /// From now, `allowed` long.
    pub fn new(allowed: Duration) -> Budget {
        Budget {
            deadline: Instant::now() + allowed,
            allowed,
        }
    }

    /// `Err(message)` once the deadline has passed.
    pub fn check(&self) -> Result<(), Message> {
        if Instant::now() > self.deadline {
            Err(Message::new(
                format!(
                    "读取表格超过了 {} 秒的时限；请删去表格中多余的内容后再导入",
                    self.allowed.as_secs()
                ),
                format!(
                    "reading the sheet took longer than {} s",
                    self.allowed.as_secs()
                ),
            ))
        } else {
            Ok(())
        }
    }
}

/// One import at a time in this process: reading a sheet is the one thing
/// a request does whose memory grows with its input, so imports take turns
/// (bounding that memory to one file's worth, which the limits above
/// bound) and wait for their turn at most [`IMPORT_WAIT`]. Nothing else
/// waits for it.
static IMPORTS: Semaphore = Semaphore::const_new(1);

/// An import's turn. Shared with the work it runs on the blocking pool, so
/// the turn ends when the import has ended *and* that work has: a request
/// dropped by its client does not free the turn while its file is still
/// being read (the read stops itself at its time budget).
pub type Turn = Arc<SemaphorePermit<'static>>;

/// Waits up to `wait` for the running import to end; then `IMPORT_BUSY`.
pub async fn take_turn(wait: Duration) -> AppResult<Turn> {
    match tokio::time::timeout(wait, IMPORTS.acquire()).await {
        Ok(Ok(permit)) => Ok(Arc::new(permit)),
        Ok(Err(closed)) => Err(AppError::internal(closed)),
        Err(_) => Err(AppError::refused(
            ErrorCode::ImportBusy,
            format!(
                "服务器上正有另一个导入在进行，{} 秒内未完成；请稍后再试",
                wait.as_secs()
            ),
            format!(
                "another import is running on this server and did not finish within {} s; try again",
                wait.as_secs()
            ),
        )),
    }
}

/// Runs CPU-bound work (reading a file, reading its layout) on the
/// blocking pool, off the async workers that serve every other request.
pub async fn off_the_workers<T: Send + 'static>(
    turn: &Turn,
    work: impl FnOnce() -> T + Send + 'static,
) -> AppResult<T> {
    let turn = turn.clone();
    tokio::task::spawn_blocking(move || {
        let _turn = turn;
        work()
    })
    .await
    .map_err(AppError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_import_waits_for_its_turn_then_is_refused() {
        let first = take_turn(Duration::from_millis(10)).await.unwrap();
        // Work on the blocking pool holds the turn even after the import
        // that started it has let go.
        let (started, release) = (
            Arc::new(std::sync::Barrier::new(2)),
            Arc::new(std::sync::Barrier::new(2)),
        );
        let (s, r) = (started.clone(), release.clone());
        let work = tokio::spawn({
            let first = first.clone();
            async move {
                off_the_workers(&first, move || {
                    s.wait();
                    r.wait();
                })
                .await
            }
        });
        tokio::task::spawn_blocking(move || started.wait())
            .await
            .unwrap();
        drop(first);
        let refused = take_turn(Duration::from_millis(50)).await.unwrap_err();
        assert_eq!(refused.code(), ErrorCode::ImportBusy);
        assert_eq!(
            refused.message(domain::Lang::En),
            "another import is running on this server and did not finish within 0 s; try again"
        );
        assert_eq!(
            refused.message(domain::Lang::Zh),
            "服务器上正有另一个导入在进行，0 秒内未完成；请稍后再试"
        );
        tokio::task::spawn_blocking(move || release.wait())
            .await
            .unwrap();
        work.await.unwrap().unwrap();
        // The work has ended: the next import gets its turn.
        take_turn(Duration::from_millis(50)).await.unwrap();
    }
}
