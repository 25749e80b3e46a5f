//! The desktop's advert input from outside its process: what a radio hands the desktop's
//! driver. Both radios produce it, the real adapter (`hybridsim-ble`) and advert lines read
//! from a file, a FIFO or stdin (`hybridsim-sockets`), so it lives here, below both.

use hybridsim_proto::advert_line::AdvertLine;

/// One advert from outside the process, or a line that could not be read as one (kept so
/// the driver can note it in its log).
pub type FedAdvert = Result<AdvertLine, String>;
