//! Testing kit (feature `proptest`): the storage contract suite, and property-testing tools for
//! downstream rules.

pub mod contract;
