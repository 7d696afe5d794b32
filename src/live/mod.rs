//! Live DNS: what resolvers answer now. [`resolve`] asks (concurrently, with a bound, no
//! cache), [`snapshot`] records last-known-good answers, [`verify`] compares fresh answers with
//! a snapshot exactly, and [`drift`] compares desired state with live answers. Comparisons are
//! pure functions over [`Answer`]s.

pub mod answer;
pub mod direct;
pub mod drift;
pub mod resolve;
pub mod snapshot;
pub mod verify;

pub use answer::{Answer, Rcode, Rr};
pub use snapshot::Snapshot;
