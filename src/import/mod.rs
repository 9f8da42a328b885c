//! Spreadsheets in: a file's first sheet as a grid of cells, and the
//! 目标任务分解表 layout read from it. No database here; `service::import`
//! resolves units and writes the plan.

/// The 分解表 layout: headers, numbering, shares and milestones.
pub mod breakdown;
/// .xlsx and CSV files as a grid of cells, merged regions filled in.
pub mod grid;
