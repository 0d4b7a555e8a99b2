//! Lazily filled bit tables over the Basic Multilingual Plane, for char
//! properties whose std or crate lookups search tables on every call.

use std::sync::OnceLock;

/// One bit per BMP char, computed one block of 256 chars at a time, the
/// first time a char of the block is asked about: a property that costs a
/// table search per char becomes a bit test.
pub struct BmpTable {
    blocks: [OnceLock<[u64; 4]>; 256],
}

impl BmpTable {
    /// An empty table.
    pub const fn new() -> BmpTable {
        BmpTable {
            blocks: [const { OnceLock::new() }; 256],
        }
    }

    /// `property(c)`, from the table for BMP chars; `None` above the BMP.
    /// `property` must always give the same answer for a char.
    #[inline]
    pub fn get(&self, c: char, property: impl Fn(char) -> bool) -> Option<bool> {
        let u = c as u32;
        if u > 0xFFFF {
            return None;
        }
        let bits = self.blocks[(u >> 8) as usize].get_or_init(|| {
            let mut bits = [0u64; 4];
            for i in 0..256u32 {
                if char::from_u32((u & !0xFF) | i).is_some_and(&property) {
                    bits[(i / 64) as usize] |= 1 << (i % 64);
                }
            }
            bits
        });
        let i = u & 0xFF;
        Some((bits[(i / 64) as usize] >> (i % 64)) & 1 == 1)
    }
}

impl Default for BmpTable {
    fn default() -> Self {
        BmpTable::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_the_property_does_in_every_block() {
        static T: BmpTable = BmpTable::new();
        let odd = |c: char| (c as u32) % 3 == 1;
        for u in (0..=0xFFFFu32).step_by(7) {
            if let Some(c) = char::from_u32(u) {
                assert_eq!(T.get(c, odd), Some(odd(c)), "U+{u:04X}");
            }
        }
        assert_eq!(T.get('😀', odd), None);
    }
}
