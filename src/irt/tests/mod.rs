mod calibration;
mod adaptive;
