//! Spreadsheets in: a file's first sheet as a grid of cells, and the
//! 目标任务分解表 layout read from it. No database here; `service::import`
//! resolves units and writes the plan. Everything read is bounded by
//! `limits`.

/// The 分解表 layout: headers, numbering, shares and milestones.
pub mod breakdown;
/// .xlsx and CSV files as a grid of cells, merged regions filled in.
pub mod grid;
/// How much of a file an import reads, for how long, one import at a time.
pub mod limits;
/// Every part of an .xlsx unpacked and measured before calamine opens it.
mod unzip;
/// An .xlsx sheet streamed cell by cell into a grid.
mod xlsx;
