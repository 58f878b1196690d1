//! A tiny xorshift64* generator: seeded, reproducible, no crate. The fault proxy
//! (`scripts/awslocal/faults.py`) draws its faults from the same generator.

#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        // Zero is xorshift's one fixed point; mix the seed so nearby seeds diverge at once.
        XorShift(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Uniform in `[lo, hi)`; `lo` when the range is empty.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            lo
        } else {
            lo + self.next_u64() % (hi - lo)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::XorShift;

    #[test]
    fn xorshift_is_seeded_roughly_uniform_and_the_proxy_s_generator() {
        let mut a = XorShift::new(7);
        let mut b = XorShift::new(7);
        assert_eq!(a.next_u64(), b.next_u64());
        // The same first outputs as scripts/awslocal/tests.py expects of the Python generator.
        assert_eq!(
            [a.next_u64(), a.next_u64()],
            [7486449783762807604, 10902827877105278336]
        );
        assert_eq!(XorShift::new(1).unit(), 0.052790873358508184);
        let hits = (0..10_000).filter(|_| a.unit() < 0.1).count();
        assert!((800..1200).contains(&hits), "{hits}");
    }
}
