//! placeholder
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoolItem {
    pub id: String,
    pub section: String,
    pub a: f64,
    pub b: f64,
}
