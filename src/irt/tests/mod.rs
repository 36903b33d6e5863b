mod adaptive;
mod calibration;
