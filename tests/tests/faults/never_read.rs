use crate::support::Row;
pub(crate) fn run_all(_only: &dyn Fn(&str) -> bool) -> Vec<Row> { Vec::new() }
