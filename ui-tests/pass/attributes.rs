use poolable::Poolable;

const IDLE: usize = 8;

#[derive(Debug, PartialEq, Eq)]
struct Settings {
    retries: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { retries: 3 }
    }
}

struct Region(&'static str);

fn reset_region(region: &mut Region) {
    region.0 = "eu-west-1";
}

#[derive(Poolable)]
#[pool(name = "configured", max_idle = 4 * IDLE, max_retained_bytes = 1_024)]
#[pool(new = Self::new)]
struct Configured {
    body: Vec<u8>,
    #[pool(skip)]
    tenant: &'static str,
    #[pool(default)]
    settings: Settings,
    #[pool(reset = reset_region)]
    region: Region,
}

impl Configured {
    fn new() -> Self {
        Configured { body: Vec::with_capacity(16), tenant: "none", settings: Settings::default(), region: Region("eu-west-1") }
    }
}

fn main() {
    let pool = Configured::pool();
    assert_eq!(pool.name(), "configured");
    assert_eq!(pool.config().get_max_idle(), 32);
    assert_eq!(pool.config().get_max_retained_bytes(), 1024);

    let mut object = Configured::pooled();
    assert_eq!(object.body.capacity(), 16);
    object.tenant = "acme";
    object.settings.retries = 9;
    object.region = Region("us-east-1");
    object.body.extend_from_slice(&[0; 4096]);
    drop(object); // oversized: dropped
    assert_eq!(pool.stats().discards, 1);

    let mut object = Configured::pooled();
    object.tenant = "acme";
    object.settings.retries = 9;
    object.region = Region("us-east-1");
    drop(object);
    let object = Configured::pooled();
    assert_eq!((object.tenant, object.settings.retries, object.region.0), ("acme", 3, "eu-west-1"));
}
