elsewhere-skck =
    SKCK dan SIM merupakan kewenangan Kepolisian.
    SKCK dapat diurus di Polres Penajam Paser Utara atau Polsek terdekat, atau didaftarkan lewat aplikasi Polri Super App.
    SIM diurus di Satlantas Polres Penajam Paser Utara.
    Ketik *menu* untuk melihat layanan kami.
elsewhere-tanah =
    Urusan sertifikat dan pendaftaran tanah merupakan kewenangan Kantor Pertanahan (ATR/BPN) Kabupaten Penajam Paser Utara.
    Silakan datang ke kantor tersebut atau gunakan aplikasi Sentuh Tanahku.
    Ketik *menu* untuk melihat layanan kami.
elsewhere-listrik =
    Urusan listrik rumah (padam, token, atau pasang baru) ditangani oleh PLN.
    Silakan hubungi PLN lewat aplikasi PLN Mobile atau Contact Center PLN 123.
    Untuk lampu jalan (PJU) yang mati, ketik *lampu jalan mati*.
elsewhere-samsat =
    STNK dan pajak kendaraan bermotor diurus di Kantor Samsat.
    Silakan datang ke Samsat terdekat, atau bayar pajak tahunan lewat aplikasi SIGNAL (Samsat Digital Nasional).
    Ketik *menu* untuk melihat layanan kami.
elsewhere-bpjs =
    Kepesertaan BPJS diurus langsung oleh BPJS.
    - BPJS Kesehatan: aplikasi Mobile JKN atau Care Center 165
    - BPJS Ketenagakerjaan: aplikasi JMO atau layanan 175
    Untuk BPJS Kesehatan yang iurannya ditanggung pemerintah (PBI), Bapak/Ibu dapat mengajukan lewat layanan Bansos: ketik *bansos*.
