//! changegate: a gate for DNS changes.
//!
//! The flow of every command is *gather facts, decide, render*: readers turn the user's files
//! into validated types ([`ticket`], [`policy`], [`config`]), evidence modules ask the outside
//! world ([`evidence`]), [`gate::evaluate`] decides without touching the network or the
//! terminal, and [`report`] renders the one [`verdict`] type for people, JSON or GitHub.

pub mod approval;
pub mod cli;
pub mod commands;
pub mod config;
pub mod diag;
pub mod document;
pub mod emergency;
pub mod evidence;
pub mod gate;
pub mod git;
pub mod live;
pub mod model;
pub mod plan;
pub mod policy;
pub mod premerge;
pub mod report;
pub mod ticket;
pub mod verdict;
pub mod workspace;
pub mod zone;
